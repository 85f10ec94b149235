package consumer

// WorkerIndex is workerIndex, for tests that need two rows on different
// workers.
var WorkerIndex = workerIndex
