"""The conformance cases: one module per SPEC.md area, each case named after its requirement id."""
