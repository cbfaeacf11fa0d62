import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { useWebPushReceiver } from './use-components.js';

describe('Web Push receiver', () => {
  const receiver = useWebPushReceiver();
  const vapid = webpush.generateVAPIDKeys();
  const send = (
    subscription: webpush.PushSubscription,
    payload: string,
    options: webpush.RequestOptions = {},
  ) =>
    webpush.sendNotification(subscription, payload, {
      vapidDetails: {
        subject: 'mailto:ops@hearth.test',
        publicKey: vapid.publicKey,
        privateKey: vapid.privateKey,
      },
      agent: receiver().agent,
      ...options,
    });

  it('decrypts what web-push sends and records its delivery headers', async () => {
    const subscription = receiver().newSubscription({ applicationServerKey: vapid.publicKey });
    expect(subscription.endpoint.startsWith(`${receiver().origin}/push/`)).toBe(true);
    const body = JSON.stringify({ title: 'Hallo Zoë', body: 'x'.repeat(3000) });
    const result = await send(subscription, body, { TTL: 120, urgency: 'high', topic: 'chat-1' });
    expect(result.statusCode).toBe(201);

    const message = await receiver().waitForMessage((m) => m.endpoint === subscription.endpoint);
    expect(message.text).toBe(body);
    expect(message.json()).toEqual(JSON.parse(body));
    expect(message).toMatchObject({ ttl: 120, urgency: 'high', topic: 'chat-1' });
    expect(message.vapid).toMatchObject({ publicKey: vapid.publicKey, subject: 'mailto:ops@hearth.test' });
  });

  it('answers 410 for a subscription marked gone, so the sender can prune it', async () => {
    const subscription = receiver().newSubscription();
    receiver().setResponse(subscription.endpoint, 410);
    await expect(send(subscription, 'x')).rejects.toMatchObject({ statusCode: 410 });
    receiver().clearResponse(subscription.endpoint);
    expect((await send(subscription, 'back')).statusCode).toBe(201);
  });

  it('fails the next pushes with 429/500 and then accepts again', async () => {
    const subscription = receiver().newSubscription();
    receiver().failNext(subscription.endpoint, 429, { headers: { 'retry-after': '1' } });
    receiver().failNext(subscription.endpoint, 500);
    const first = await send(subscription, 'a').catch(
      (error: { statusCode: number; headers: Record<string, string> }) => error,
    );
    expect(first).toMatchObject({ statusCode: 429, headers: { 'retry-after': '1' } });
    await expect(send(subscription, 'b')).rejects.toMatchObject({ statusCode: 500 });
    expect((await send(subscription, 'c')).statusCode).toBe(201);
    const statuses = receiver()
      .attempts.filter((a) => a.endpoint === subscription.endpoint)
      .map((a) => a.status);
    expect(statuses).toEqual([429, 500, 201]);
  });

  it('refuses a push signed with another VAPID key than the subscription was made for', async () => {
    const subscription = receiver().newSubscription({
      applicationServerKey: webpush.generateVAPIDKeys().publicKey,
    });
    await expect(send(subscription, 'x')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('refuses a push without VAPID and one for an unknown subscription', async () => {
    const subscription = receiver().newSubscription();
    await expect(
      webpush.sendNotification(subscription, 'x', { agent: receiver().agent }),
    ).rejects.toMatchObject({
      statusCode: 401,
    });
    const unknown = { ...subscription, endpoint: `${receiver().origin}/push/unknown` };
    await expect(send(unknown, 'x')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses a body over 4 KiB as 413, as real push services do', async () => {
    const subscription = receiver().newSubscription();
    await expect(send(subscription, 'x'.repeat(4100))).rejects.toMatchObject({ statusCode: 413 });
  });

  it('refuses a payload encrypted for another subscription', async () => {
    const target = receiver().newSubscription();
    const other = receiver().newSubscription();
    const wrongKeys = { endpoint: target.endpoint, keys: other.keys };
    await expect(send(wrongKeys, 'secret')).rejects.toMatchObject({ statusCode: 400 });
    expect(receiver().attempts.at(-1)?.reason).toMatch(/does not decrypt/);
  });
});
