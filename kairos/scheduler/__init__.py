"""The scheduler: due queue, bounded probe runs, state transitions and the batched recorder."""
