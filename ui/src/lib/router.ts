/** Hash routes: `#/student` is the student's second window; the rest are proctor screens. */

export type Route =
  | { screen: "student" }
  | { screen: "start"; previous: string | null }
  | { screen: "queue" }
  | { screen: "history" };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  switch (path) {
    case "/student":
      return { screen: "student" };
    case "/queue":
      return { screen: "queue" };
    case "/history":
      return { screen: "history" };
    default:
      return { screen: "start", previous: params.get("previous") };
  }
}
