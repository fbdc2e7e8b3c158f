// Small suites share one test file: see suites-a.test.ts and docs/testing.md.
import "./suites/quotas";
import "./suites/auth-sessions";
import "./suites/stats";
import "./suites/push-abuse";
import "./suites/invites";
import "./suites/events";
import "./suites/analysis";
import "./suites/dashboard-web";
