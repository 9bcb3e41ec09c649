"""`python -m api`: the same as the `sage-llm-gateway` console script."""

from api.cli import main

main()
