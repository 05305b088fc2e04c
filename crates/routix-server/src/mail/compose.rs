//! The letters Routix writes, in English and Persian: a subject, a plain-text body and an HTML
//! body carrying the same words and link. Pure, so every wording is unit-tested.

/// Which letter, and what goes in it.
#[derive(Debug, Clone, Copy)]
pub enum Letter<'a> {
    /// Confirm the address of a new account (`{PUBLIC_URL}/verify?token=…`).
    Verify { name: &'a str, link: &'a str },
    /// Choose a new password (`{PUBLIC_URL}/reset?token=…`).
    Reset { name: &'a str, link: &'a str },
}

/// A finished mail, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

struct Words {
    subject: &'static str,
    greeting: &'static str,
    lead: &'static str,
    button: &'static str,
    validity: &'static str,
    ignore: &'static str,
    signature: &'static str,
}

fn words(letter: Letter<'_>, persian: bool) -> Words {
    match (letter, persian) {
        (Letter::Verify { .. }, false) => Words {
            subject: "Confirm your email for Routix",
            greeting: "Hi {name},",
            lead: "Please confirm that this is your email address by opening this link:",
            button: "Confirm my email",
            validity: "The link works once and expires in 24 hours.",
            ignore: "If you did not create a Routix account, you can ignore this mail.",
            signature: "— Routix",
        },
        (Letter::Verify { .. }, true) => Words {
            subject: "ایمیل خود را در روتیکس تأیید کنید",
            greeting: "سلام {name}،",
            lead: "برای تأیید این نشانی ایمیل، پیوند زیر را باز کنید:",
            button: "تأیید ایمیل",
            validity: "این پیوند یک بار کار می‌کند و تا ۲۴ ساعت معتبر است.",
            ignore: "اگر در روتیکس حسابی نساخته‌اید، این ایمیل را نادیده بگیرید.",
            signature: "— روتیکس",
        },
        (Letter::Reset { .. }, false) => Words {
            subject: "Reset your Routix password",
            greeting: "Hi {name},",
            lead: "Someone, hopefully you, asked to reset the password of your Routix account. \
                   Choose a new password here:",
            button: "Choose a new password",
            validity: "The link works once and expires in 1 hour.",
            ignore: "If you did not ask for this, ignore this mail: your password stays as it is.",
            signature: "— Routix",
        },
        (Letter::Reset { .. }, true) => Words {
            subject: "بازنشانی رمز عبور روتیکس",
            greeting: "سلام {name}،",
            lead: "درخواستی برای بازنشانی رمز عبور حساب روتیکس شما رسیده است. \
                   رمز تازه را اینجا انتخاب کنید:",
            button: "انتخاب رمز تازه",
            validity: "این پیوند یک بار کار می‌کند و تا یک ساعت معتبر است.",
            ignore: "اگر این درخواست را شما نداده‌اید، این ایمیل را نادیده بگیرید؛ \
                     رمز عبورتان تغییری نمی‌کند.",
            signature: "— روتیکس",
        },
    }
}

/// The letter in the account's language (`fa` is Persian; anything else English).
pub fn compose(letter: Letter<'_>, locale: &str) -> Composed {
    let persian = locale == "fa";
    let w = words(letter, persian);
    let (name, link) = match letter {
        Letter::Verify { name, link } | Letter::Reset { name, link } => (name, link),
    };
    let greeting = w.greeting.replace("{name}", name);
    let text = format!(
        "{greeting}\n\n{lead}\n\n{link}\n\n{validity}\n{ignore}\n\n{signature}\n",
        lead = w.lead,
        validity = w.validity,
        ignore = w.ignore,
        signature = w.signature,
    );
    let (lang, dir, font) = if persian {
        ("fa", "rtl", "Vazirmatn, Tahoma, sans-serif")
    } else {
        ("en", "ltr", "Helvetica, Arial, sans-serif")
    };
    let link = escape(link);
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <title>{subject}</title></head>\n\
         <body style=\"font-family: {font}; color: #1a1a1a; line-height: 1.6\">\n\
         <p>{greeting}</p>\n<p>{lead}</p>\n\
         <p><a href=\"{link}\" style=\"display: inline-block; padding: 10px 18px; \
         background: #e11d48; color: #ffffff; border-radius: 6px; text-decoration: none\">\
         {button}</a></p>\n\
         <p dir=\"ltr\" style=\"font-size: 13px; word-break: break-all\"><a href=\"{link}\">{link}</a></p>\n\
         <p>{validity}<br>{ignore}</p>\n<p>{signature}</p>\n</body></html>\n",
        subject = escape(w.subject),
        greeting = escape(&greeting),
        lead = escape(w.lead),
        button = escape(w.button),
        validity = escape(w.validity),
        ignore = escape(w.ignore),
        signature = escape(w.signature),
    );
    Composed {
        subject: w.subject.to_string(),
        text,
        html,
    }
}

/// Text made safe for HTML content and double-quoted attributes (names are user input).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://thumbs.example.com/verify?token=abc_DEF-123";

    #[test]
    fn every_letter_carries_its_link_in_both_bodies_and_languages() {
        for letter in [
            Letter::Verify {
                name: "Sara",
                link: LINK,
            },
            Letter::Reset {
                name: "Sara",
                link: LINK,
            },
        ] {
            for locale in ["en", "fa"] {
                let mail = compose(letter, locale);
                assert!(mail.text.contains(LINK), "{locale} {letter:?}");
                assert!(mail.html.contains(&format!("href=\"{LINK}\"")), "{locale}");
                assert!(mail.text.contains("Sara") && mail.html.contains("Sara"));
                assert!(!mail.subject.is_empty());
            }
        }
    }

    #[test]
    fn persian_accounts_get_a_right_to_left_persian_letter() {
        let mail = compose(
            Letter::Verify {
                name: "سارا",
                link: LINK,
            },
            "fa",
        );
        assert_eq!(mail.subject, "ایمیل خود را در روتیکس تأیید کنید");
        assert!(mail.text.starts_with("سلام سارا،"));
        assert!(mail.html.contains("lang=\"fa\" dir=\"rtl\""));
        let english = compose(
            Letter::Verify {
                name: "Sara",
                link: LINK,
            },
            "en",
        );
        assert_eq!(english.subject, "Confirm your email for Routix");
        assert!(english.html.contains("lang=\"en\" dir=\"ltr\""));
    }

    #[test]
    fn reset_letters_state_their_one_hour_limit() {
        assert!(compose(
            Letter::Reset {
                name: "a",
                link: LINK
            },
            "en"
        )
        .text
        .contains("expires in 1 hour"));
        assert!(compose(
            Letter::Reset {
                name: "a",
                link: LINK
            },
            "fa"
        )
        .text
        .contains("تا یک ساعت"));
    }

    #[test]
    fn display_names_cannot_inject_html() {
        let mail = compose(
            Letter::Verify {
                name: "<script>alert(1)</script> & \"Co\"",
                link: LINK,
            },
            "en",
        );
        assert!(!mail.html.contains("<script>"));
        assert!(mail
            .html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"));
        // The plain-text body is not HTML: the name stays as written.
        assert!(mail.text.contains("<script>alert(1)</script>"));
    }
}
