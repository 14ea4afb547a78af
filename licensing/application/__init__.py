"""The household's application: sections, people, references, documents, signatures, submission, staff review."""
