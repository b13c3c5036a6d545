"""The engine: load recipes, run one in memory on a worktree (no git, no network; lookups are injected), the residue scan, the ChangeSet and its atomic write, and the check runner."""
