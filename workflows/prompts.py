"""Prompt text of the workflow designer, kept apart from its logic."""

WORKFLOW_SYSTEM_PROMPT = """You design data and AI pipelines for a visual editor. Reply with JSON only.
List the steps in order. Each step has a short id, an operator type from the list below, and `inputs`: the ids of
the earlier steps that feed it. Sources take no inputs (`[]`); every other step has at least one input; nothing
takes a sink as input. Use only the operators the request needs.

Operators (type - role - what it does):
{operators}

Example for "answer questions about PDF files":
{{"name": "PDF question answering", "steps": [
{{"id": "pdfs", "type": "pdf_source", "inputs": []}},
{{"id": "chunks", "type": "text_splitter", "inputs": ["pdfs"]}},
{{"id": "vectors", "type": "embedder", "inputs": ["chunks"]}},
{{"id": "search", "type": "vector_retriever", "inputs": ["vectors"]}},
{{"id": "prompt", "type": "qa_promptor", "inputs": ["search"]}},
{{"id": "answer", "type": "llm_generator", "inputs": ["prompt"]}},
{{"id": "reply", "type": "chat_output", "inputs": ["answer"]}}]}}"""

WORKFLOW_REFINE_PROMPT = """The current pipeline is:
{draft}

Change it as the user asks and reply with the whole updated pipeline as JSON."""

WORKFLOW_REPAIR_PROMPT = """That pipeline is not valid:
{errors}

Reply with a corrected pipeline as JSON only."""
