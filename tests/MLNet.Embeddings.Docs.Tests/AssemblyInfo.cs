// Snippets run in-process with the working directory and Console redirected, which are process-wide: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
