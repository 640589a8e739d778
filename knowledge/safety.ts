/**
 * Prompt-injection hygiene. Customer text and knowledge-base passages are data: they are wrapped in tags with their
 * angle brackets escaped, so neither can close the tag and speak as the system. Passages are also screened line by
 * line: a line that reads like an instruction to an AI (a poisoned web page, a pasted chat log) never reaches the
 * prompt and never appears in an extractive answer.
 */

const INSTRUCTION_LIKE: RegExp[] = [
  /\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|any|the)\b.{0,30}\b(instructions?|prompts?|rules|directions|guidelines)\b/i,
  /^\W{0,3}(system|assistant|developer|user)\s*(prompt)?\s*[:：]/i,
  /<\/?\s*(system|instructions?|assistant|im_start|im_end)\b/i,
  /\b(you are now|from now on,? you are|pretend (to be|you are)|act as)\s+(an?\s+|the\s+)?(unrestricted\s+|different\s+)?(ai|assistant|bot|chatbot|model|dan|llm)\b/i,
  /\b(new instructions?\s*[:：]|jailbreak|developer mode)/i,
  /\b(reveal|print|show|repeat|output)\b.{0,40}\b(system prompt|instructions|hidden|internal notes?)\b/i,
  /(忽略|无视|忘记|忽視|無視|忘記).{0,12}(之前|以上|前面|上述|所有|全部).{0,10}(指令|指示|说明|說明|提示|规则|規則|要求)/,
  /^\W{0,3}(系统|系統)(提示词|提示詞|提示|指令)?\s*[:：]/,
  /(系统提示词|系統提示詞|system prompt)/i,
  /(你现在是|你現在是|从现在起你是|從現在起你是|扮演|假装你是|假裝你是).{0,8}(助手|机器人|機器人|AI|模型|没有限制|沒有限制)/i,
  /(泄露|洩露|输出|輸出|显示|顯示|告诉我|告訴我).{0,12}(提示词|提示詞|系统提示|系統提示|内部(说明|備註|备注|规则|規則|指令|资料|資料)|內部(說明|備註|規則|指令|資料))/,
];

export function looksLikeInstruction(line: string): boolean {
  return INSTRUCTION_LIKE.some((re) => re.test(line));
}

/** The passage without instruction-like lines; `removed` counts them so ingestion can warn about the source. */
export function stripInstructionLines(text: string): { text: string; removed: number } {
  let removed = 0;
  const kept = text.split('\n').filter((line) => {
    if (looksLikeInstruction(line)) {
      removed += 1;
      return false;
    }
    return true;
  });
  return { text: kept.join('\n'), removed };
}

/** Escapes text placed inside an XML-like tag of the prompt so it cannot open or close tags. */
export function escapeForPrompt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
