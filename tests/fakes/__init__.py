"""In-memory fakes of the unit of work, the read model, the feed and the webhook store."""
