/**
 * No Bicep parser runs on Node without the .NET compiler, so tests check the structure the generator relies on:
 * brackets and quotes balance outside comments and strings; every `resource`/`module` line has a symbolic name, a
 * quoted type or path and `=`; `param` lines declare a type; strings use single quotes only. Returns the problems.
 */
export function checkBicep(text: string): string[] {
  const problems: string[] = [];
  const stack: { char: string; line: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\n') line++;
    else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      i--;
    } else if (c === '"') problems.push(`${line}: double quotes are not Bicep strings`);
    else if (c === "'") {
      i++;
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\') i++;
        if (text[i] === '\n') problems.push(`${line}: string not closed on its line`);
        i++;
      }
    } else if (c === '(' || c === '[' || c === '{') stack.push({ char: c, line });
    else if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      if (open?.char !== pairs[c]) problems.push(`${line}: ${c} closes ${open ? `${open.char} of line ${open.line}` : 'nothing'}`);
    }
  }
  for (const open of stack) problems.push(`${open.line}: ${open.char} is never closed`);
  text.split('\n').forEach((content, index) => {
    if (/^(resource|module)\s/.test(content) && !/^(resource|module) [A-Za-z_][A-Za-z0-9_]* '[^']+' = (\[for .+ in .+: )?\{$/.test(content)) problems.push(`${index + 1}: malformed declaration: ${content}`);
    if (/^param\s/.test(content) && !/^param [A-Za-z_][A-Za-z0-9_]* (string|array|int|bool|object)( = .+)?$/.test(content)) problems.push(`${index + 1}: malformed param: ${content}`);
  });
  return problems;
}
