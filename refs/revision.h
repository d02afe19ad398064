// refs/revision.h: ResolveRevision, from what a user types to a commit id.
//
// Accepted syntax (a subset of gitrevisions(7)):
//   HEAD, @                      the commit HEAD points at
//   main, v1.0                   a branch or tag name (see precedence below)
//   refs/heads/main              a full refname
//   4b825dc6, 4b825d...(40)      a unique prefix of a commit id, 4 to 40 hex digits
//   REV~N, REV~                  the N-th (1st) first-parent ancestor
//   REV^N, REV^                  the N-th (1st) parent; REV^0 is REV itself
//   suffixes chain left to right: main~2^2~1
//
// A name is looked up as git does, first match wins: NAME (only for HEAD-like
// all-caps names and full "refs/..." names), refs/NAME, refs/tags/NAME,
// refs/heads/NAME, refs/remotes/NAME, refs/remotes/NAME/HEAD. So a tag shadows a
// branch of the same name, and a ref name shadows a hex prefix that spells it.
//
//   MVC_ASSIGN_OR_RETURN(GitId id, ResolveRevision(*history, "main~2"));
#ifndef MVC_REFS_REVISION_H_
#define MVC_REFS_REVISION_H_

#include <string_view>

#include "core/result.h"
#include "refs/git_id.h"
#include "refs/history.h"

namespace mvc {

// The commit `rev` names in `history`.
// Errors (messages exact):
//   kNotFound   "unknown revision 'xyz'"  (no such name or id, or bad syntax)
//   kNotFound   "HEAD has no commits yet" (HEAD or @ on an unborn branch)
//   kNotFound   "revision 'HEAD~9' goes past the root commit"
//   kNotFound   "revision 'main^2': commit 0123456789ab has no parent 2"
//   kAmbiguous  "short id 'abcd' is ambiguous"
//   kInvalidArgument "revision 'v1' names abc..., which is not a commit"
Result<GitId> ResolveRevision(History& history, std::string_view rev);

}  // namespace mvc

#endif  // MVC_REFS_REVISION_H_
