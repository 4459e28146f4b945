import { LuaRuntime } from '../src/lua/lua-runtime.ts';
const rt = await LuaRuntime.create();
const lits = ['1685906000388294100.0', '(3*2^-1)', '1685906000388294', '0.5', '(843*2^1000)'];
const res: Record<string, number[]> = {};
for (let round = 0; round < 40; round++) for (const lit of lits) {
  const ch = `return {x=${lit}}`;
  const t = performance.now();
  rt.evaluate('return nil', ch, true);
  (res[lit] ??= []).push(performance.now() - t);
}
for (const lit of lits) { const a = res[lit]!.sort((x, y) => x - y); console.log(lit, (a[20]! * 1000).toFixed(0), 'us median'); }
console.log(rt.evaluate('return {status="Healthy", message=tostring(obj.x) .. " " .. obj.y}', 'return {x=(3*2^-1), y=(1685906000388294144*2^0)}', true));
await rt.close();
