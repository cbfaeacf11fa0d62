import { describe, expect, it } from 'vitest';
import { chooseGitHubEmail } from './github-identity.js';
import { githubEndpoints } from './oauth-providers.js';

describe('githubEndpoints', () => {
  it('uses github.com and api.github.com by default', () => {
    expect(githubEndpoints(undefined)).toEqual({
      server: {
        issuer: 'https://github.com',
        authorization_endpoint: 'https://github.com/login/oauth/authorize',
        token_endpoint: 'https://github.com/login/oauth/access_token',
      },
      apiUrl: 'https://api.github.com',
    });
    expect(githubEndpoints('https://github.com/').apiUrl).toBe('https://api.github.com');
  });

  it('puts everything under a GitHub Enterprise Server base URL, API at /api/v3', () => {
    expect(githubEndpoints('https://github.example.com/')).toEqual({
      server: {
        issuer: 'https://github.example.com',
        authorization_endpoint: 'https://github.example.com/login/oauth/authorize',
        token_endpoint: 'https://github.example.com/login/oauth/access_token',
      },
      apiUrl: 'https://github.example.com/api/v3',
    });
  });
});

describe('chooseGitHubEmail', () => {
  const entry = (email: string, primary: boolean, verified: boolean) => ({ email, primary, verified });

  it('prefers the primary verified address, then any verified one', () => {
    expect(
      chooseGitHubEmail([
        entry('a@x.test', false, true),
        entry('B@X.test', true, true),
        entry('c@x.test', false, false),
      ]),
    ).toEqual({ email: 'b@x.test', emailVerified: true });
    expect(chooseGitHubEmail([entry('a@x.test', true, false), entry('b@x.test', false, true)])).toEqual({
      email: 'b@x.test',
      emailVerified: true,
    });
  });

  it('with no verified address, carries the primary one as unverified', () => {
    expect(chooseGitHubEmail([entry('a@x.test', false, false), entry('b@x.test', true, false)])).toEqual({
      email: 'b@x.test',
      emailVerified: false,
    });
    expect(chooseGitHubEmail([])).toEqual({ email: undefined, emailVerified: false });
  });
});
