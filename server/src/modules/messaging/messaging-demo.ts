import type { AppContext } from '../../app/context.ts';
import type { DemoSeeder } from '../demo/index.ts';
import { follow } from '../graph/index.ts';
import { createConversation, sendMessage } from './messaging.service.ts';

/**
 * Someone who signs in as a demo account finds friends, a chat, a group and a message request
 * waiting (maya has all four). Made through the same service functions as real ones.
 */
export async function seedDemoChats(ctx: AppContext, ids: Record<string, string>) {
  const { maya, leo, sam, ines } = ids as Record<'maya' | 'leo' | 'sam' | 'ines', string>;
  for (const [a, b] of [
    [maya, leo],
    [maya, ines],
    [leo, ines],
  ] as const) {
    await follow(ctx, a, b);
    await follow(ctx, b, a);
  }
  let n = 0;
  const say = (from: string, conversationId: string, text: string) => sendMessage(ctx, from, conversationId, { clientMsgId: `demo-${++n}`, text });

  const chat = (await createConversation(ctx, leo, { memberIds: [maya] })).conversation.id;
  await say(leo, chat, 'Did you see the clip from the new bouldering gym? 🧗');
  await say(maya, chat, 'Yes! That overhang wall looks brutal');
  await say(leo, chat, 'Saturday morning? I’ll bring coffee ☕');

  const group = (await createConversation(ctx, maya, { memberIds: [leo, ines], title: 'Weekend crew' })).conversation.id;
  await say(maya, group, 'Who’s in for Saturday?');
  await say(ines, group, 'Me! I’ll bring pastéis de nata');
  await say(leo, group, 'Count me in 🙌');

  // Sam is not Maya's friend: his first message waits in her Requests folder.
  const request = (await createConversation(ctx, sam, { memberIds: [maya] })).conversation.id;
  await say(sam, request, 'Hey Maya, loved your climbing clip. Mind if I put it in a beat video?');
}

/** Friends, a chat, a group and a message request for the demo people. */
export const messagingDemo: DemoSeeder = { seed: seedDemoChats };
