"""Text primitives: spans, cuts and the splice, line geometry, the diff renderer."""
