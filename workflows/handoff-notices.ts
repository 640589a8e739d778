import type { Language } from '../core/domain.js';

/** What the customer is told during a handoff, in their language. Pure, so the workflow renders it itself. */
export type Notice =
  | { kind: 'queued'; position: number; estimatedWaitMs: number }
  | { kind: 'position'; position: number; estimatedWaitMs: number }
  | { kind: 'after_hours'; opensAt: string; timeZone: string }
  | { kind: 'message_kept' }
  | { kind: 'agent_joined'; agent: string }
  | { kind: 'transferred_queue'; queue: string; position: number; estimatedWaitMs: number }
  | { kind: 'transferred_agent'; agent: string }
  | { kind: 'resolved' };

const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

function when(iso: string, timeZone: string, language: Language): string {
  return new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

function zh(n: Notice): string {
  switch (n.kind) {
    case 'queued':
      return n.position <= 1
        ? `正在为您转接人工客服，您是下一位，预计等待约 ${minutes(n.estimatedWaitMs)} 分钟。您可以继续留言，客服接入后会看到全部内容。`
        : `正在为您转接人工客服。您前面还有 ${n.position - 1} 位客户，预计等待约 ${minutes(n.estimatedWaitMs)} 分钟。您可以继续留言，客服接入后会看到全部内容。`;
    case 'position':
      return n.position <= 1
        ? `您现在是下一位，预计还需等待约 ${minutes(n.estimatedWaitMs)} 分钟，感谢耐心等待。`
        : `您目前排在第 ${n.position} 位，预计还需等待约 ${minutes(n.estimatedWaitMs)} 分钟，感谢耐心等待。`;
    case 'after_hours':
      return `现在是非工作时间，人工客服将于 ${when(n.opensAt, n.timeZone, 'zh')} 上线。您可以直接在这里留言，上线后客服会第一时间回复您。`;
    case 'message_kept':
      return '已收到您的留言，客服上线后会尽快回复您。';
    case 'agent_joined':
      return `客服 ${n.agent} 已接入，将为您继续服务。`;
    case 'transferred_queue':
      return `正在为您转接到「${n.queue}」组的同事，您前面还有 ${Math.max(0, n.position - 1)} 位客户，预计等待约 ${minutes(n.estimatedWaitMs)} 分钟。`;
    case 'transferred_agent':
      return `已为您转接给客服 ${n.agent}，请稍候。`;
    case 'resolved':
      return '本次人工服务已结束，感谢您的耐心！如还有其他问题，随时给我们发消息。';
  }
}

function en(n: Notice): string {
  switch (n.kind) {
    case 'queued':
      return n.position <= 1
        ? `I'm connecting you with a member of our team. You're next in line; the estimated wait is about ${minutes(n.estimatedWaitMs)} min. Feel free to add details meanwhile — the agent will see them.`
        : `I'm connecting you with a member of our team. You're number ${n.position} in the queue; the estimated wait is about ${minutes(n.estimatedWaitMs)} min. Feel free to add details meanwhile — the agent will see them.`;
    case 'position':
      return n.position <= 1
        ? `You're next in line now (about ${minutes(n.estimatedWaitMs)} min). Thanks for waiting.`
        : `You're now number ${n.position} in the queue (about ${minutes(n.estimatedWaitMs)} min). Thanks for waiting.`;
    case 'after_hours':
      return `Our team is offline right now and will be back ${when(n.opensAt, n.timeZone, 'en')}. Leave a message here and an agent will answer as soon as we open.`;
    case 'message_kept':
      return "Got it — your message is saved and an agent will reply when we're back.";
    case 'agent_joined':
      return `${n.agent} from our team has joined the conversation.`;
    case 'transferred_queue':
      return `I'm transferring you to our ${n.queue} team. There ${n.position - 1 === 1 ? 'is 1 customer' : `are ${Math.max(0, n.position - 1)} customers`} ahead of you; the estimated wait is about ${minutes(n.estimatedWaitMs)} min.`;
    case 'transferred_agent':
      return `You've been transferred to ${n.agent}, who will continue with you.`;
    case 'resolved':
      return 'This conversation has been marked as resolved. Thanks for your patience! Message us any time if you need anything else.';
  }
}

export function noticeText(notice: Notice, language: Language): string {
  return language === 'zh' ? zh(notice) : en(notice);
}
