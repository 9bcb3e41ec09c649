"""Pipeline design for the Studio canvas: the operator catalogue, the pipeline schema, its validation, the
template builder and the model-driven generator (used by the `generate_workflow` node and by
`POST /v1/workflows/generate`)."""
