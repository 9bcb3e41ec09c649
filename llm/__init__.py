"""Model clients: the OpenAI-compatible chat client, the embedded llama.cpp server, embeddings, the breaker."""
