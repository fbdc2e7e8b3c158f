// @pushbunny/sdk/react-native: the queue lives in the AsyncStorage you pass (the community
// @react-native-async-storage/async-storage module fits the Storage interface as is).
import { type Client, type ClientOptions, createClient as createCoreClient } from "./core/client";
import type { Storage } from "./core/storage";

export type { Client, ClientOptions } from "./core/client";
export { type ErrorCode, PushBunnyError } from "./core/errors";
export type { Storage } from "./core/storage";
export type { Intent, Message, Stats, StatsQuery, TrackEvent } from "./core/types";

export interface ReactNativeClientOptions extends ClientOptions {
  /** AsyncStorage (or any store of the same shape): required, so events survive an app kill. */
  storage: Storage;
}

/**
 * A client for React Native. Call `client.flush()` when AppState turns "background": the OS may
 * suspend the app before the interval fires (whatever is stored is sent on the next start).
 */
export function createClient(options: ReactNativeClientOptions): Client {
  return createCoreClient(options);
}
