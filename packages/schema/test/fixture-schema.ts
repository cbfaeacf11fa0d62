import type { SchemaDocument } from '../src/index.ts';

/** A small blog-with-teams schema the unit tests share. */
export const blogSchema: SchemaDocument = {
  collections: {
    users: {
      fields: {
        name: { type: 'text' },
        team: { type: 'relation', to: 'teams' },
        secretNote: { type: 'text', hidden: true },
      },
    },
    teams: {
      fields: {
        name: { type: 'text', required: true },
        owner: { type: 'relation', to: 'users' },
        members: { type: 'relation', to: 'users', many: true },
      },
    },
    projects: {
      fields: {
        title: { type: 'text' },
        owner: { type: 'relation', to: 'users', required: true },
        team: { type: 'relation', to: 'teams' },
        archived: { type: 'bool' },
      },
    },
    posts: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        body: { type: 'text' },
        published: { type: 'bool', default: false },
        score: { type: 'number' },
        status: { type: 'select', values: ['draft', 'published', 'archived'] },
        owner: { type: 'relation', to: 'users', required: true },
        project: { type: 'relation', to: 'projects' },
        tags: { type: 'json' },
        publishedAt: { type: 'date' },
        secret: { type: 'text', hidden: true },
        readers: { type: 'relation', to: 'users', many: true },
      },
      rules: {
        list: 'published || owner == auth.id',
        view: 'published || owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id',
        delete: 'owner == auth.id',
      },
    },
  },
  buckets: {
    avatars: {
      maxSize: '5MB',
      types: ['image/*'],
      rules: { read: 'true', write: "auth != null && path.startsWith(auth.id + '/')" },
    },
  },
  channels: { 'room:*': { rules: { join: 'auth != null', broadcast: 'auth != null' } } },
};

export const ALICE = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'alice@example.com',
  role: 'user',
  verified: true,
};
export const BOB = {
  id: '22222222-2222-4222-8222-222222222222',
  email: 'bob@example.com',
  role: 'user',
  verified: false,
};
