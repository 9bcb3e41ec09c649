"""Plain text of a chat message (shared by memory backends and nodes)."""

from langchain_core.messages import BaseMessage


def message_text(message: BaseMessage) -> str:
    """The plain text of a message, joining text parts of multi-part content."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = [part if isinstance(part, str) else str(part.get("text", "")) for part in content]
    return "".join(parts)
