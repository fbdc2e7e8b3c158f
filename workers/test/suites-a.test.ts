// Small suites share one test file: each workerd test file costs seconds of start-up (a fresh
// isolate loads the whole Worker), far more than these suites take to run. Storage is shared
// among them, so they seed their own projects and never count rows they did not write.
import "./suites/crons";
import "./suites/query-plans";
import "./suites/ads-insights-compute";
import "./suites/health";
import "./suites/memo-router";
import "./suites/auth";
import "./suites/consumers";
import "./suites/warm-path";
