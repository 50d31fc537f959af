"""The written sections of the Python rules' pages, one module per rule family: each rule's spec
holds its page's sections as `prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from
the spec."""
