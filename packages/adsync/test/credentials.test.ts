import { describe, expect, it } from "vitest";
import { type Channel, credentialProblems } from "../src/index";

const META = { accessToken: "EAAGm0PX4ZCpsBAKZC1234", adAccountId: "act_1029384756" };
const GOOGLE = {
  developerToken: "DevTok_aBcDeFgHiJkLmNoPqRs",
  clientId: "1234567890-abcdefg.apps.googleusercontent.com",
  clientSecret: "GOCSPX-secret",
  refreshToken: "1//0gRefresh",
  customerId: "123-456-7890",
};
const TIKTOK = { accessToken: "3f9c1e7a5b2d4c6e8f0a", advertiserId: "7012345678901234567" };

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
      ['clientId: must end with ".apps.googleusercontent.com"'],
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
