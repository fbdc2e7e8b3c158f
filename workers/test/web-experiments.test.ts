// Web experiments (issue 17 §1): the definition API, the lifecycle, the SDK's runtime endpoints
// (config from KV, server-assigned exposures, metric events) and the results on the engine.
//
// The suites share this one file: each workerd test file costs seconds of start-up (a fresh
// isolate loads the whole Worker). They live in web-experiments/, plain modules vitest does not
// collect on their own, and run in this order.
import "./web-experiments/definition";
import "./web-experiments/transitions";
import "./web-experiments/runtime";
import "./web-experiments/runtime-analysis";
import "./web-experiments/review-fixes";
