# Right: torch.func.jvp on copies, unpacking the pair (torch may warn on its first call).
def jvp(f, x, u):
    value, tangent = torch.func.jvp(f, (x.clone(),), (u.clone(),))
    return tangent
