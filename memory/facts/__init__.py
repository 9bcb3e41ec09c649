"""Facts about a user and the people around them: extracted from what the user states, kept by key with their
history, recalled by the memory backends."""
