// The broker-outage test stops the one real broker; nothing else may run while it is down.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
