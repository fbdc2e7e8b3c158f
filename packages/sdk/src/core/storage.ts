/**
 * Where the event queue survives restarts. The shape is React Native's AsyncStorage, so that
 * object can be passed as is; synchronous stores (localStorage) are wrapped to fit.
 */
export interface Storage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/** A store that lives as long as the process: Node servers, tests, and browsers without storage. */
export function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: async (key) => items.get(key) ?? null,
    setItem: async (key, value) => {
      items.set(key, value);
    },
    removeItem: async (key) => {
      items.delete(key);
    },
  };
}
