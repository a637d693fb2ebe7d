"""Performance targets (绩效指标): printed text, scoring rules and recorded values."""
