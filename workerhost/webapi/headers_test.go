package webapi

import "testing"

func TestHeaders(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "case-insensitive get",
			script: `const h = new Headers({"Content-Type": "text/plain"}); return h.get("content-TYPE")`,
			want:   "text/plain",
		},
		{
			name:   "get of missing name is null",
			script: `return new Headers().get("x") === null`,
			want:   "true",
		},
		{
			name:   "append combines values",
			script: `const h = new Headers(); h.append("X-A", "1"); h.append("x-a", "2"); return h.get("X-A")`,
			want:   "1, 2",
		},
		{
			name:   "set replaces values",
			script: `const h = new Headers([["a", "1"], ["a", "2"]]); h.set("A", "3"); return h.get("a")`,
			want:   "3",
		},
		{
			name:   "has and delete",
			script: `const h = new Headers({a: "1"}); const before = h.has("A"); h.delete("a"); return [before, h.has("a")].join()`,
			want:   "true,false",
		},
		{
			name:   "iteration sorted and lower-cased",
			script: `const h = new Headers({"Zeta": "z", "alpha": "a", "Mid": "m"}); return [...h].map(([k, v]) => k + "=" + v).join("&")`,
			want:   "alpha=a&mid=m&zeta=z",
		},
		{
			name:   "keys and values",
			script: `const h = new Headers({b: "2", a: "1"}); return [...h.keys()].join() + "|" + [...h.values()].join()`,
			want:   "a,b|1,2",
		},
		{
			name:   "entries",
			script: `const h = new Headers({b: "2", a: "1"}); return JSON.stringify([...h.entries()])`,
			want:   `[["a","1"],["b","2"]]`,
		},
		{
			name:   "forEach order and arguments",
			script: `const h = new Headers({b: "2", a: "1"}); const out = []; h.forEach((v, k, obj) => out.push(k + v + (obj === h))); return out.join()`,
			want:   "a1true,b2true",
		},
		{
			name:   "set-cookie values stay separate",
			script: `const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2"); return JSON.stringify([h.getSetCookie(), [...h], h.get("set-cookie")])`,
			want:   `[["a=1","b=2"],[["set-cookie","a=1"],["set-cookie","b=2"]],"a=1, b=2"]`,
		},
		{
			name:    "getAll only for set-cookie",
			script:  `return new Headers().getAll("x-a")`,
			wantErr: `TypeError: getAll() can only be used with the header name "Set-Cookie".`,
		},
		{
			name:   "constructed from Headers is a copy",
			script: `const a = new Headers({x: "1"}); const b = new Headers(a); b.set("x", "2"); return a.get("x") + b.get("x")`,
			want:   "12",
		},
		{
			name:   "constructed from array of pairs",
			script: `return new Headers([["a", "1"], ["b", "2"]]).get("b")`,
			want:   "2",
		},
		{
			name:    "pair of wrong length",
			script:  `new Headers([["a", "1", "2"]])`,
			wantErr: "TypeError",
		},
		{
			name:    "invalid name",
			script:  `new Headers().set("bad name", "x")`,
			wantErr: "TypeError: Invalid header name.",
		},
		{
			name:    "invalid value",
			script:  `new Headers().set("a", "x\r\ny: z")`,
			wantErr: "TypeError: Invalid header value.",
		},
		{
			name:   "value whitespace trimmed",
			script: `return "[" + new Headers({a: "  v \t"}).get("a") + "]"`,
			want:   "[v]",
		},
		{
			name:    "primitive init rejected",
			script:  `new Headers(5)`,
			wantErr: "TypeError",
		},
		{
			name:   "record names that differ in case combine",
			script: `return new Headers({"X-A": "1", "x-a": "2"}).get("x-a")`,
			want:   "1, 2",
		},
		{
			name:   "record reads each value before checking its name",
			script: `const seen = []; const init = { get "bad name"() { seen.push("read"); return "v"; } }; try { new Headers(init); } catch (e) { seen.push(e.message); } return seen.join()`,
			want:   "read,Invalid header name.",
		},
		{
			name:    "record with invalid value",
			script:  `new Headers({a: "x\0y"})`,
			wantErr: "TypeError: Invalid header value.",
		},
		{
			name:   "Headers without init do not share entries",
			script: `const a = new Headers(); const b = new Headers(); a.append("x", "1"); return [a.get("x"), b.get("x"), [...b].length].join()`,
			want:   "1,,0",
		},
		{
			name:   "record headers can change",
			script: `const h = new Headers({a: "1"}); h.append("A", "2"); h.delete("b"); return [...h].join()`,
			want:   "a,1, 2",
		},
		{
			name:   "toStringTag",
			script: `return Object.prototype.toString.call(new Headers())`,
			want:   "[object Headers]",
		},
	}
	runScripts(t, tests)
}
