"""The turn graph: state, context, resources and the builder."""
