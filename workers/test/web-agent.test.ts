/**
 * The GitHub agent end to end: connecting a project to the GitHub App, implementing a web
 * experiment as a draft pull request, the merge webhook activating it, and every way it fails.
 * GitHub is the local stub (workers/test-support/github-stub-server.ts, driven through its
 * /__stub/ control routes); the model is the scripted Gemini stub (workers/test-gemini/
 * agent-scenarios.ts). The Worker gets an LLM only through `withAgent` (an env override, like a
 * deployment with GEMINI_API_KEY set), and the jobs it queues are delivered here by hand, so a
 * test sees each attempt's ack or retry.
 *
 * The suites share this one file: each workerd test file costs seconds of start-up (a fresh
 * isolate loads the whole Worker). They live in web-agent/, plain modules vitest does not collect
 * on their own, and run in this order.
 */
import "./web-agent/connecting";
import "./web-agent/end-to-end";
import "./web-agent/failures";
import "./web-agent/webhook";
import "./web-agent/sweep";
import "./web-agent/one-project";
