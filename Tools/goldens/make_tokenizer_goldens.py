#!/usr/bin/env python3
"""Golden token ids for VidiRetrieval's CLIP tokenizer, from OpenAI's own tokenizer.

Reference: openai/CLIP `clip/simple_tokenizer.py` and `clip.tokenize` (github.com/openai/CLIP, commit
d05afc436d78f1c48dc0dbf8e5980a9d471f35f6), with ftfy 6.3.1 and regex from PyPI. The CLIP source is not in
this repository: pass the folder holding its `clip/` package.

    $(Tools/reference-venv.sh) Tools/goldens/make_tokenizer_goldens.py /path/to/CLIP
Writes Fixtures/golden/retrieval/tokenizer.json: [{"text": ..., "ids": [49406, ..., 49407]}, ...], the ids
as `clip.tokenize(text, truncate=True)` returns them without the zero padding.
"""
import importlib.util
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "retrieval", "tokenizer.json")
clip_dir = os.path.join(sys.argv[1], "clip")
spec = importlib.util.spec_from_file_location("simple_tokenizer", os.path.join(clip_dir, "simple_tokenizer.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
tokenizer = module.SimpleTokenizer(os.path.join(clip_dir, "bpe_simple_vocab_16e6.txt.gz"))
SOT, EOT = tokenizer.encoder["<|startoftext|>"], tokenizer.encoder["<|endoftext|>"]


def tokenize(text, context_length=77):
    """clip.tokenize(text, truncate=True) without the padding."""
    tokens = [SOT] + tokenizer.encode(text) + [EOT]
    if len(tokens) > context_length:
        tokens = tokens[:context_length]
        tokens[-1] = EOT
    return tokens


rng = random.Random(20261130)
subjects = ["a man", "a woman", "two kids", "the dog", "a red square", "a blue circle", "people", "a chef",
            "a cat", "someone", "the team", "an old car", "a girl", "a band", "the crowd"]
verbs = ["is cooking", "moves to the left", "is playing guitar", "runs across the field", "talks about",
         "dances", "is driving", "jumps", "sings a song", "explains how to", "slides down", "rotates slowly"]
objects = ["in the kitchen", "on a stage", "at night", "with friends", "near the river", "in a video game",
           "on tv", "outside", "for the camera", "in slow motion", "quickly", ""]
texts = []
for _ in range(120):
    texts.append(" ".join(x for x in (rng.choice(subjects), rng.choice(verbs), rng.choice(objects)) if x))
for t in list(texts[:60]):
    texts.append(t.upper())
    texts.append(t.title() + rng.choice([".", "!", "?", "...", " :)", " !!!", ",", ";"]))
texts += [
    # contractions and apostrophes
    "it's a dog's life", "they're here and we've won", "i'm sure you'll see", "he'd've said so", "don't stop",
    "I'M HERE", "It'S MiXeD", "rock 'n' roll", "''quoted''", "o'clock", "the 90's", "'s at the start",
    # numbers and punctuation
    "3 cats and 12 dogs", "version 2.0.1-beta", "1,000,000 views", "call 555-1234", "50% off!!!", "#hashtag @user",
    "a+b=c", "(parentheses) [brackets] {braces}", "...", "?!?!", "~/path/to/file.mp4", "$100 € 50 £20 ¥3",
    "x²+y³", "½ cup", "⅓ of", "١٢٣ arabic digits", "Ⅻ roman",
    # html entities
    "tom &amp; jerry", "&lt;b&gt;bold&lt;/b&gt;", "caf&eacute;", "it&#39;s", "it&#x27;s", "a&nbsp;b", "&quot;hi&quot;",
    "&copy; 2024", "wait&hellip;", "a &mdash; b", "&amp;amp; double", "&rsquo;quote&lsquo;", "&unknown; entity",
    "AT&T", "fish &chips", "&#128512; smile", "&#x1F600;", "&eacute", "&amp", "<b>tag</b> &amp; more",
    # unicode
    "café crème brûlée", "naïve résumé", "Ærøskøbing", "straße", "İstanbul", "ΑΘΗΝΑ athens", "москва", "東京タワー",
    "北京欢迎你", "서울", "עברית", "العربية", "हिन्दी", "ไทย", "tiếng việt", "ελληνικά", "e\u0301 decomposed",
    "ﬁne ﬂoor ﬀ", "Ĳsselmeer", "ＬＯＵＤ　ＮＯＩＳＥＳ", "ｈａｌｆ", "ｶﾀｶﾅ", "“curly” ‘quotes’", "„low“ ‚single‘",
    "zero\u200bwidth", "soft\u00adhyphen", "bom\ufeffhere", "tab\tand\nnewline\r\nend", "  leading and trailing  ",
    "multiple     spaces", "\u3000ideographic\u3000space", "nbsp\u00a0here", "control\x07char", "del\x7fchar",
    "ESC \x1b[31mred\x1b[0m text", "line\u2028separator", "z̤͔ͧ̑̓ä͖̭̈̇lͮ̒g̢o",
    # emoji
    "I ❤ NY", "😀😃😄", "👍🏽 thumbs", "👨‍👩‍👧‍👦 family", "🏳️‍🌈 flag", "🇫🇷 france", "cat 🐈 and dog 🐕", "🔥🔥🔥 lit",
    "✔ done", "★☆★", "♪ music ♫", "→ arrow ←", "©®™",
    # mojibake
    "cafÃ©", "sÃ³", "â€œquotedâ€\x9d", "donâ€™t", "ðŸ˜€ emoji", "Ã¼ber", "MÃ¼nchen", "âœ” No problems", "Ã\xa0 la",
    "rÃ©sumÃ©", "FranÃ§ais", "â€” dash", "&macr;\\_(ã\x83\x84)_/&macr;", "Broken text&hellip; it&#x2019;s ﬂubberiﬁc!",
    # special tokens written in text
    "<|startoftext|>", "hello <|endoftext|> world", "a.<|endoftext|>", "<|ENDOFTEXT|>",
    # empty and whitespace only
    "", " ", "\n\t",
    # over-long
    "a man is cooking " * 20, " ".join(["supercalifragilisticexpialidocious"] * 30), "word " * 75, "word " * 76,
    "x" * 500, "🙂" * 100,
]
cases = [{"text": t, "ids": tokenize(t)} for t in texts]
with open(OUT, "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=False, indent=0)
print(len(cases), "cases ->", OUT)
