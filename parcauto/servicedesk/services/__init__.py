"""Service-desk use cases: requests and their thread (`requests`, `thread`), cancellations
(`cancellation`) and the end of a contract they lead to (`contract_end`)."""
