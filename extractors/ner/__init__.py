"""The project's own spaCy pipeline for contracts: NER (parties, money, dates, rates, durations,
accounts, courts and arbitration bodies) and a clause classifier, trained from wording templates.

`python -m extractors.ner.train` builds `extractors/ner/model/` from `configs/contract.cfg`.
"""
