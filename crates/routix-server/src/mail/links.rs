//! One-time links by mail: a random token goes into the link, only its SHA-256 into the
//! database, and the mail that carries it into the outbox — one transaction — after which the
//! sender is woken.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use routix_store::{
    mail::{NewMail, TokenPurpose},
    users::User,
    StoreError,
};
use sha2::{Digest, Sha256};

use crate::{
    mail::compose::{compose, Letter},
    state::AppState,
};

/// Random bytes in a token: 256 bits, far past guessing.
const TOKEN_BYTES: usize = 32;

/// A new URL-safe token and the hash stored for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// What the database knows of a token: its SHA-256, in hex. A token is high-entropy, so a
/// plain hash (no salt, no stretching) is enough to make a leaked table useless.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Queues the mail that confirms `user`'s address.
pub async fn send_verification(state: &AppState, user: &User) -> Result<(), StoreError> {
    send(state, user, TokenPurpose::Verify).await
}

/// Queues the mail that lets `user` choose a new password.
pub async fn send_password_reset(state: &AppState, user: &User) -> Result<(), StoreError> {
    send(state, user, TokenPurpose::Reset).await
}

async fn send(state: &AppState, user: &User, purpose: TokenPurpose) -> Result<(), StoreError> {
    let (token, hash) = new_token();
    let page = match purpose {
        TokenPurpose::Verify => "verify",
        TokenPurpose::Reset => "reset",
    };
    let link = format!("{}/{page}?token={token}", state.settings.mail.public_url);
    let name = user.display_name.as_str();
    let letter = match purpose {
        TokenPurpose::Verify => Letter::Verify { name, link: &link },
        TokenPurpose::Reset => Letter::Reset { name, link: &link },
    };
    let mail = compose(letter, &user.locale);
    state
        .db
        .issue_account_token(
            user.id,
            purpose,
            &hash,
            &NewMail {
                recipient: &user.email,
                subject: &mail.subject,
                text: &mail.text,
                html: &mail.html,
            },
        )
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_url_safe_and_stored_only_as_their_hash() {
        let (a, hash_a) = new_token();
        let (b, hash_b) = new_token();
        assert_ne!(a, b);
        assert_ne!(hash_a, hash_b);
        // 32 bytes in unpadded base64url: 43 characters, none needing escape in a URL.
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a));
        assert_eq!(hash_token(&a), hash_a);
        // A link copied with a stray newline still names the same token.
        assert_eq!(hash_token(&format!("{a}\n")), hash_a);
    }
}
