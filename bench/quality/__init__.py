"""End-to-end quality of the gateway on a real corpus (the Python library reference): retrieval first; an answers
stage can reuse the same cached index, questions and tables."""
