"""Wire protocols: each translates its requests into one protocol-neutral turn and the turn back into its
responses and stream frames."""
