// Small suites share one test file: see suites-a.test.ts and docs/testing.md.
import "./suites/push-security";
import "./suites/push-api";
import "./suites/sweep";
import "./suites/audit";
import "./suites/projects";
import "./suites/email-templates";
import "./suites/members";
import "./suites/auth-google";
import "./suites/e2e";
import "./suites/message";
