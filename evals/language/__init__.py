"""The language corpus: how well the intent parser understands what people actually type.

A fixed, generated corpus (corpus.jsonl, from generate.py) of English editing instructions over the
everyday task taxonomy of docs/intent.md, each with its expected intent, split into dev and test by
template family, noun and voice. ``python -m evals language --split dev`` scores a parser on it.

Tune the grammar on dev only. The test split is for reporting: a grammar fitted to test lines
measures nothing, and a dev–test gap of more than 3 points says the grammar was fitted to dev.
"""
