"""What a candidate files as proof: documents and their versions, logs, plans filed as PDFs, and self-assessments."""
