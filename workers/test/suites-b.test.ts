// Small suites share one test file: each workerd test file costs seconds of start-up (a fresh
// isolate loads the whole Worker), far more than these suites take to run. Storage is shared
// among them, so they seed their own projects and never count rows they did not write.
import "./suites/queue-messages";
import "./suites/system";
import "./suites/queue-batcher";
import "./suites/notification-history";
import "./suites/ratelimit-hot-path";
import "./suites/param-limits";
import "./suites/ads-pages";
import "./suites/access";
