import { describe, expect, it } from "vitest";
import { type Channel, credentialIssues, credentialProblems } from "../src/index";

const META = {
  accessToken: "EAAGm0PX4ZCpsBAKZC1234abcdefghijklmnopqrstuvwxyz",
  adAccountId: "act_1029384756",
};
const GOOGLE = {
  developerToken: "DevTok_aBcDeFgHiJkLmNoPqRs",
  clientId: "1234567890-abcdefg.apps.googleusercontent.com",
  clientSecret: "GOCSPX-clientSecretValue42",
  refreshToken: "1//0gRefreshTokenValueThatIsLong",
  customerId: "123-456-7890",
};
const TIKTOK = {
  accessToken: "3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e",
  advertiserId: "7012345678901234567",
};

describe("credentialProblems", () => {
  it.each<[Channel, unknown]>([
    ["facebook", META],
    ["instagram", { ...META, adAccountId: "1029384756", apiVersion: "v22.0" }],
    ["instagram", { ...META, accessToken: `  ${META.accessToken}\n` }],
    ["google_ads", GOOGLE],
    [
      "google_ads",
      { ...GOOGLE, customerId: "1234567890", loginCustomerId: "987-654-3210", apiVersion: "v19" },
    ],
    ["tiktok", TIKTOK],
  ])("accepts good %s credentials", (channel, value) => {
    expect(credentialProblems(channel, value)).toEqual([]);
  });

  it.each<[Channel, unknown, string[]]>([
    ["facebook", null, ["credentials: must be an object with accessToken, adAccountId"]],
    ["facebook", "EAAG…", ["credentials: must be an object with accessToken, adAccountId"]],
    ["facebook", {}, ["accessToken: required", "adAccountId: required"]],
    ["facebook", { ...META, accessToken: "" }, ["accessToken: must not be empty"]],
    ["facebook", { ...META, accessToken: 42 }, ["accessToken: must be a string"]],
    [
      "facebook",
      { ...META, accessToken: "EAAG abc" },
      ["accessToken: must not contain whitespace (pasted with a line break?)"],
    ],
    [
      "instagram",
      { ...META, adAccountId: "acct-12" },
      ['adAccountId: must be the numeric ad account id, optionally prefixed with "act_"'],
    ],
    ["facebook", { ...META, apiVersion: "21" }, ['apiVersion: must look like "v24.0"']],
    [
      "facebook",
      { access_token: META.accessToken, adAccountId: "1" },
      ["accessToken: required", "access_token: unknown field (did you mean accessToken?)"],
    ],
    [
      "google_ads",
      { ...GOOGLE, clientId: "1234567890-abcdefg" },
      ['clientId: must be an OAuth client id like "123…-abc….apps.googleusercontent.com"'],
    ],
    [
      "google_ads",
      { ...GOOGLE, customerId: "123-456-789" },
      ["customerId: must be the 10-digit customer id (dashes allowed, e.g. 123-456-7890)"],
    ],
    [
      "google_ads",
      { ...GOOGLE, loginCustomerId: "abc" },
      ["loginCustomerId: must be the 10-digit customer id (dashes allowed, e.g. 123-456-7890)"],
    ],
    [
      "google_ads",
      { customerId: "1234567890" },
      ["developerToken: required", "clientId: required", "clientSecret: required", "refreshToken: required"],
    ],
    [
      "google_ads",
      META,
      [
        "developerToken: required",
        "clientId: required",
        "clientSecret: required",
        "refreshToken: required",
        "customerId: required",
        "accessToken: unknown field",
        "adAccountId: unknown field",
        "credentials: these look like Meta (facebook/instagram) credentials",
      ],
    ],
    ["tiktok", { ...TIKTOK, advertiserId: "adv_701" }, ["advertiserId: must be the numeric advertiser id"]],
    [
      "tiktok",
      { accessToken: TIKTOK.accessToken, advertiser_id: "701" },
      ["advertiserId: required", "advertiser_id: unknown field (did you mean advertiserId?)"],
    ],
    ["linkedin" as Channel, TIKTOK, ['channel: unknown channel "linkedin"']],
  ])("finds the problems in bad %s credentials", (channel, value, problems) => {
    expect(credentialProblems(channel, value)).toEqual(problems);
  });

  const PLACEHOLDER = /is a placeholder/;
  it.each<[Channel, Record<string, unknown>, string]>([
    ["facebook", { ...META, accessToken: "EAAB…" }, "accessToken"],
    ["facebook", { ...META, accessToken: "EAABwzLixnjYBO..." }, "accessToken"],
    ["instagram", { ...META, accessToken: "<your token>" }, "accessToken"],
    ["facebook", { ...META, accessToken: "{{META_TOKEN}}" }, "accessToken"],
    ["facebook", { ...META, accessToken: "EAABxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }, "accessToken"],
    ["facebook", { ...META, adAccountId: "act_xxx" }, "adAccountId"],
    ["facebook", { ...META, accessToken: "TODO" }, "accessToken"],
    ["facebook", { ...META, accessToken: "undefined" }, "accessToken"],
    ["google_ads", { ...GOOGLE, developerToken: "YOUR_DEVELOPER_TOKEN" }, "developerToken"],
    ["google_ads", { ...GOOGLE, clientSecret: "changeme" }, "clientSecret"],
    ["google_ads", { ...GOOGLE, customerId: "123-xxx-xxxx" }, "customerId"],
    ["google_ads", { ...GOOGLE, refreshToken: "1//xxx" }, "refreshToken"],
    ["tiktok", { ...TIKTOK, accessToken: "xxx" }, "accessToken"],
    ["tiktok", { ...TIKTOK, advertiserId: "<advertiser id>" }, "advertiserId"],
  ])("rejects a placeholder for %s (%j)", (channel, value, field) => {
    const issues = credentialIssues(channel, value);
    expect(issues).toEqual([{ field, problem: expect.stringMatching(PLACEHOLDER) }]);
  });

  it.each<[Channel, Record<string, unknown>, string, RegExp]>([
    [
      "facebook",
      { ...META, accessToken: "ya29.a0AfH6SMBx3kNz9q8tQ2vRr7" },
      "accessToken",
      /starts with "EAA"/,
    ],
    ["facebook", { ...META, accessToken: "EAAGm0PX4ZC" }, "accessToken", /at least 32 characters/],
    [
      "facebook",
      { ...META, accessToken: "EAAGm0PX4ZCpsBAKZC1234-abcdefghijklmnopq" },
      "accessToken",
      /letters and digits/,
    ],
    [
      "facebook",
      { ...META, accessToken: '"EAAGm0PX4ZCpsBAKZC1234abcdefghijklmnop"' },
      "accessToken",
      /quotes/,
    ],
    [
      "facebook",
      { ...META, accessToken: "EAAGm0PX4ZCps\tBAKZC1234abcdefghijklmnop" },
      "accessToken",
      /whitespace/,
    ],
    ["google_ads", { ...GOOGLE, developerToken: "abc" }, "developerToken", /developer token/],
    ["google_ads", { ...GOOGLE, clientId: "abc.apps.googleusercontent.com" }, "clientId", /OAuth client id/],
    [
      "google_ads",
      { ...GOOGLE, refreshToken: "ya29.a0AfH6SMBx3kNz9q8tQ2vRr7" },
      "refreshToken",
      /access token \(ya29/,
    ],
    [
      "google_ads",
      { ...GOOGLE, refreshToken: "4/0AX4XfWh-authorization-code" },
      "refreshToken",
      /refresh token/,
    ],
    ["google_ads", { ...GOOGLE, customerId: "123 456 7890" }, "customerId", /whitespace/],
    ["google_ads", { ...GOOGLE, customerId: "12345678901" }, "customerId", /10-digit/],
    [
      "tiktok",
      { ...TIKTOK, accessToken: "act.3f9c1e7a5b2d4c6e8f0a1b3c" },
      "accessToken",
      /letters and digits/,
    ],
    ["tiktok", { ...TIKTOK, accessToken: "3f9c1e7a" }, "accessToken", /40 characters/],
  ])("rejects a %s value of the wrong shape (%j)", (channel, value, field, problem) => {
    expect(credentialIssues(channel, value)).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  });

  it("never echoes a value", () => {
    const secret = "EAAG super secret token";
    const problems = credentialProblems("facebook", {
      accessToken: secret,
      adAccountId: "x y",
      extra: secret,
    });
    expect(problems.join("\n")).not.toContain("super secret");
    expect(problems).toHaveLength(3);
  });
});
