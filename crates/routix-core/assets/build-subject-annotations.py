#!/usr/bin/env python3
"""Build subject-annotations.tsv: Unicode CLDR emoji annotations (English and Persian) for
the emoji that draw a subject in ../src/subjects.rs.

Usage:
    cd /tmp && npm pack cldr-annotations-full@48.2.0 && tar xzf cldr-annotations-full-48.2.0.tgz
    python3 build-subject-annotations.py /tmp/package

Reads PACKAGE/annotations/{en,fa}/annotations.json and PACKAGE/package.json, writes
subject-annotations.tsv beside this script (emoji<TAB>lang<TAB>keyword, one line per
keyword; the subject's CLDR name, "tts", first, then its keywords, "default"). Python 3
standard library only; the output depends only on the package and subjects.rs.

Kept: keywords that name the thing. Dropped (see DROP and keep()):
  * words too generic to name a thing, or ambiguous enough to cause false matches
    ("face", "animal", "video", «صورت», «شیر» lion/milk, «دو» run/two, ...);
  * keywords shared by three or more subjects ("ball", «توپ», "music", "sport");
  * keywords that are a hand-written word or name of another subject (the hand-written
    word decides: "cat" stays with the cat, not the tiger);
  * a keyword that is another subject's CLDR name (tts) ("selfie" is 🤳, not 📷);
  * keywords of fewer than two letters, or with no letter at all ("T", "✓").
"""

import collections
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SUBJECTS_RS = os.path.join(HERE, "..", "src", "subjects.rs")
OUT = os.path.join(HERE, "subject-annotations.tsv")
LANGS = ("en", "fa")

# Too generic or too ambiguous, in any subject. Compared after normalise().
DROP = {
    "en": """
        face animal pet person man woman hand sign symbol object food travel button big
        order alpha strong right up where simple settle showing personal office cell
        communication sound entertainment video snap slay bat weight fast hurry move quick
        race rush speed cross legged legs position peace relax serenity lotus zoom fly
        umbrella cold snow bag bet billion million pot win winning data growth increasing
        upward trend metal cheese hungry slice restaurant bowl steaming eat celebration
        happy sweet cooked seafood stick drink morning date bottle fancy shopping chop cut
        groom parlor instrument strat keyboard musical note action board corn pop medium
        white crying feels joy tear epic munch chin consider fantasy ringed saturnine test
        tube atheist stuffed improvement colorful creative museum paper af burn lit litaf
        comic electric light check checked complete completed done fixed mark emotion red
        leo predator banana pisces dinner bearer ophiuchus growl honey monster safari
        zodiac rex farm artist euro paid paying cost
    """.split(),
    "fa": [
        "صورت", "حیوان", "جانور", "حیوان خانگی", "برج فلکی", "زودیاک", "شیر", "حوت",
        "اهریمن", "حامل", "مارگیر", "بانی", "هیولا", "همراه", "شخصی", "ویدیو", "دسته",
        "ورزش", "چوگان", "راکت", "آدم", "مرد", "زن", "نماد", "غذا", "شخص", "دست",
        "بلند کردن", "نیرومند", "ورزشکار", "استقامت", "بدن", "تند", "حرکت", "دو", "سرعت",
        "عجله", "آرامش", "چارزانو", "ریلکس", "مکاشفه", "نیلوفر آبی", "مسابقه", "مسافرت",
        "وسیله نقلیه", "زمین", "چتر", "سایه بان", "برف", "سرد", "ساختمان", "کیف", "رشد",
        "گرایش", "پولدار", "فلز", "پنیر", "قاچ", "بخار", "رشته", "کاسه", "جشن", "شیرین",
        "پخته", "خوراک", "خوراکی", "غذای دریایی", "نوشیدن", "نوشیدنی", "بطری", "ظرف",
        "زنانه", "مجلسی", "آرایش کردن", "زیبایی", "عروس", "الکتریک", "راک", "ساز", "کیبورد",
        "چنگ", "نت", "بوداده", "ذرت", "احساس", "بامزه", "خوشحالی", "صورتک", "لذت", "دانش",
        "دلگیر", "بی دین", "پشمالو", "مخملی", "نرم", "موزه", "صفحه", "الکتریسیته", "برق",
        "حباب", "نور", "دکمه", "یورو",
    ],
}


def normalise(s):
    """What routix_core::analyzer::normalise makes of a keyword, trimmed."""
    out = []
    for c in s:
        c = {"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا"}.get(c, c)
        if c in "\u200c\u200f\u200e":
            c = " "
        elif not (c.isalnum() or c in "'.!"):
            c = " "
        out.append(c.lower())
    return " ".join("".join(out).split())


def persian_letters(s):
    """Arabic letter forms unified to Persian, as the file keeps them (ZWNJ and all)."""
    return s.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک")


def subjects():
    """(name, emoji, hand-written words) for each subject in subjects.rs, in order."""
    src = open(SUBJECTS_RS, encoding="utf-8").read()
    table = src[src.index("pub const SUBJECTS") :]
    table = table[: table.index("\n];")]
    out = []
    for m in re.finditer(r'\bs\(\s*"([^"]+)",\s*"([^"]+)",\s*&\[(.*?)\]', table, re.S):
        out.append((m.group(1), m.group(2), re.findall(r'"([^"]*)"', m.group(3))))
    if len(out) < 10:
        sys.exit(f"found only {len(out)} subjects in {SUBJECTS_RS}")
    return out


def annotations(package, lang):
    path = os.path.join(package, "annotations", lang, "annotations.json")
    return json.load(open(path, encoding="utf-8"))["annotations"]["annotations"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    package = sys.argv[1]
    version = json.load(open(os.path.join(package, "package.json"), encoding="utf-8"))["version"]
    subs = subjects()
    drop = {lang: {normalise(w) for w in words} for lang, words in DROP.items()}
    hand = {}  # normalised hand-written word or name -> subject emoji
    for name, emoji, words in subs:
        for w in [name, *words]:
            hand.setdefault(normalise(w), emoji)

    # Candidate keywords per (emoji, lang): (text as written, normalised, is the CLDR name).
    cands = {}
    for lang in LANGS:
        table = annotations(package, lang)
        for _, emoji, _ in subs:
            entry = table.get(emoji) or table.get(emoji.replace("\ufe0f", ""))
            if entry is None:
                sys.exit(f"{emoji} has no {lang} annotation")
            seen, kws = set(), []
            for is_name, key in ((True, "tts"), (False, "default")):
                for raw in entry.get(key, []):
                    # One fa entry lists several words with the Arabic comma.
                    for part in re.split(r"[،,]", raw):
                        part = unicodedata.normalize("NFC", part.strip())
                        if lang == "fa":
                            part = persian_letters(part)
                        else:
                            part = part.lower()
                        n = normalise(part)
                        if part and n not in seen:
                            seen.add(n)
                            kws.append((part, n, is_name))
            cands[(emoji, lang)] = kws

    # How many subjects carry each keyword, and whose name (tts) it is.
    shared = collections.Counter()
    named = collections.defaultdict(set)
    for (emoji, lang), kws in cands.items():
        for _, n, is_name in kws:
            shared[(lang, n)] += 1
            if is_name:
                named[(lang, n)].add(emoji)

    def keep(emoji, lang, n, is_name):
        if sum(c.isalpha() for c in n) < 2 or n in drop[lang]:
            return False
        if shared[(lang, n)] >= 3:
            return False
        if hand.get(n, emoji) != emoji:
            return False
        if not is_name and named[(lang, n)] - {emoji}:
            return False
        return True

    lines, counts = [], collections.Counter()
    for _, emoji, _ in subs:
        for lang in LANGS:
            for part, n, is_name in cands[(emoji, lang)]:
                if keep(emoji, lang, n, is_name):
                    lines.append(f"{emoji}\t{lang}\t{part}\n")
                    counts[lang] += 1
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            f"# Unicode CLDR emoji annotations for the subjects in src/subjects.rs, from npm\n"
            f"# cldr-annotations-full {version} (licence: LICENSE-CLDR). Generated by\n"
            f"# build-subject-annotations.py; do not edit. emoji<TAB>lang<TAB>keyword\n"
        )
        f.writelines(lines)
    print(f"cldr-annotations-full {version}: {dict(counts)} keywords -> {OUT}")


if __name__ == "__main__":
    main()
