"""Routes of the application: the household's own pages, staff review, and people answering through emailed links."""
