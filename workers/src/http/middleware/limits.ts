import { bodyLimit } from "hono/body-limit";
import { PayloadTooLargeError } from "../../errors";

/** Rejects bodies over `maxBytes` with a 413 envelope before they are parsed. */
export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(`request body exceeds ${maxBytes} bytes`);
    },
  });
