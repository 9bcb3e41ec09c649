"""A chat turn: its state and run context, the conversation helpers, the prompts and the intent rules the nodes
share."""
