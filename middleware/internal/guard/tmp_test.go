package guard
import ("testing";"os";"github.com/consentgate/consentgate/rules")
func TestTmp(t *testing.T){
 vs,_:=rules.Builtin(); rs,_:=rules.Compile(vs,rules.Options{})
 g,_:=Compile(Options{Rules:rs, NoMinify: os.Getenv("NOMIN")!=""})
 os.WriteFile("/tmp/guard-inline.html", g.AppendInline(nil, Decision{Granted: rs.NecessarySet()}, ""), 0644)
 os.WriteFile("/tmp/probe/worker-prefix.js", g.WorkerPrefix(Decision{Granted: rs.NecessarySet()}), 0644)
}
