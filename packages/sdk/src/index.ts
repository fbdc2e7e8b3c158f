// @pushbunny/sdk: the runtime-neutral core. Apps usually import an entry point that picks
// storage and lifecycle for them: "@pushbunny/sdk/browser", "/react-native" or "/node".
export { type Client, type ClientOptions, createClient } from "./core/client";
export { type ErrorCode, PushBunnyError } from "./core/errors";
export type { Fetch } from "./core/http";
export { memoryStorage, type Storage } from "./core/storage";
export type { Intent, Message, Stats, StatsQuery, TrackEvent } from "./core/types";
